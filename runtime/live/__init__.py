"""The live runtime: calls from the telephony layer, in real time.

``pipeline`` is the call itself (plain asyncio); ``audio`` the frame
formats; ``vad`` streaming voice activity detection; ``setup`` what a
transport needs from the database to start a call (token, version,
compiled script, event log) and ``asr`` where recognition runs.
"""
