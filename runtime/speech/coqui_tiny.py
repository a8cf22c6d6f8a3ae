"""A tiny Coqui TTS model, built here, for tests and trying the set-up.

Model hubs are out of reach, so the tests of the Coqui source build their
own model: a VITS (the architecture of most Coqui models) with a few
thousand randomly initialised weights, saved exactly as Coqui's trainer
saves a model (``config.json`` beside ``model.pth``), so it loads through
the same path as a real downloaded one. Its vocabulary is characters, not
phonemes (a phonemizer would need espeak or a download): the Russian and
English alphabets, digits and punctuation.

It says nothing intelligible. Each input symbol lasts a fixed 40 ms
(about 80 ms a letter, as the model puts a blank between letters), so the
length of its audio follows the length of the text like speech does.
"""

import math
from pathlib import Path

LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя0123456789"
PUNCTUATION = " !,.?-:;'\"«»…—"
SAMPLE_RATE = 16000
HOP_LENGTH = 128
# 5 frames of 8 ms: 40 ms a symbol.
FRAMES_PER_SYMBOL = 5


def build_tiny_model(directory: Path, *, seed: int = 0) -> Path:
    """Write a tiny, untrained VITS model into ``directory``; returns it."""
    import torch
    from trainer.io import save_model
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = VitsConfig(
        run_name="outcall-tiny",
        use_phonemes=False,
        text_cleaner="multilingual_cleaners",
        add_blank=True,
        # For text processing (sentence splitting, cleaners): one model
        # that reads both languages of the demo scripts.
        languages=["en", "ru"],
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            pad="<PAD>",
            eos="<EOS>",
            bos="<BOS>",
            blank="<BLNK>",
            characters=LETTERS,
            punctuations=PUNCTUATION,
        ),
        audio=BaseAudioConfig(
            sample_rate=SAMPLE_RATE,
            fft_size=512,
            win_length=512,
            hop_length=HOP_LENGTH,
            num_mels=40,
            # Its noise has quiet stretches that trimming would cut.
            do_trim_silence=False,
        ),
        model_args=VitsArgs(
            out_channels=257,  # fft_size / 2 + 1
            hidden_channels=32,
            hidden_channels_ffn_text_encoder=64,
            num_heads_text_encoder=2,
            num_layers_text_encoder=1,
            num_layers_posterior_encoder=2,
            num_layers_flow=1,
            use_sdp=False,
            resblock_type_decoder="2",
            resblock_kernel_sizes_decoder=[3],
            resblock_dilation_sizes_decoder=[[1, 3]],
            upsample_rates_decoder=[8, 4, 4],  # their product is HOP_LENGTH
            upsample_kernel_sizes_decoder=[16, 8, 8],
            upsample_initial_channel_decoder=32,
            spec_segment_size=16,
            # Only training uses the discriminator; it would be most of
            # the file.
            init_discriminator=False,
        ),
        test_sentences=[],
    )

    torch.manual_seed(seed)
    model = Vits(config)
    with torch.no_grad():
        # VITS rounds each duration up: every symbol gets exactly
        # FRAMES_PER_SYMBOL frames.
        model.duration_predictor.proj.weight.zero_()
        model.duration_predictor.proj.bias.fill_(math.log(FRAMES_PER_SYMBOL - 0.5))
    save_model(config, model, directory / "model.pth", current_step=0, epoch=0)
    config.save_json(str(directory / "config.json"))
    return directory
