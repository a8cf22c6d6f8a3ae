"""Audio input: reading recordings, telephony codecs, voice activity detection."""
