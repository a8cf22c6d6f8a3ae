"""Thin adapters from wire protocols to ``runtime.live.pipeline``.

``outcall_ws`` (``/ws/call/``), ``twilio`` (``/ws/twilio/``), ``audiosocket``
(TCP, ``run_audiosocket``) and ``asr`` (recognition over the channel layer).
"""
