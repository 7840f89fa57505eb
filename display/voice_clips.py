"""Generate the hall screen's voice clips with espeak-ng, once, at set-up.

Run by scripts/make-voice-clips. Every clip of qhall.voice.CLIPS becomes a 16-bit mono WAV
in qhall.voice.GENERATED_DIR, trimmed of the silence espeak-ng puts around words so that
joined clips sound like one sentence. A stamp file remembers what was generated: run
again with nothing changed, it only checks the stamp.
"""

from __future__ import annotations

import array
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qhall.voice import CLIPS, GENERATED_DIR

RATE = 22050  # espeak-ng's own rate: no resampling needed
SPEED_WPM = {"en": 150}  # a little slower than espeak-ng's 175, for a hall's echo
DEFAULT_SPEED_WPM = 160
SILENCE_LEVEL = 400  # samples quieter than this at either end are trimmed
EDGE_S = 0.03  # what is kept of the silence at each end
GENERATOR_VERSION = 2  # 2: a shorter chime, so that a call is about six seconds


def main(argv: list[str] | None = None) -> int:
    """Generate the clips that are missing or out of date; return the exit status."""
    force = "--force" in (argv if argv is not None else sys.argv[1:])
    stamp = GENERATED_DIR / ".stamp"
    wanted = _fingerprint()
    if not force and stamp.exists() and stamp.read_text() == wanted and _all_present():
        print(f"==> Voice clips are up to date in {GENERATED_DIR}")
        return 0
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is missing: install the espeak-ng Debian package.", file=sys.stderr)
        return 1
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda item: make_clip(*item), CLIPS.items()))
    stamp.write_text(wanted)
    print(f"==> Generated {len(CLIPS)} voice clips in {GENERATED_DIR}")
    return 0


def make_clip(name: str, spec: tuple[str, str]) -> Path:
    """Write one clip's WAV file and return its path."""
    voice, text = spec
    if voice == "tone":
        samples = chime() if text == "chime" else silence(0.45)
    else:
        samples = trim(speak(voice, text))
    path = GENERATED_DIR / f"{name}.wav"
    write_wav(path, samples)
    return path


def speak(voice: str, text: str) -> array.array:
    """Return espeak-ng's rendering of text as 16-bit samples at RATE."""
    speed = SPEED_WPM.get(voice, DEFAULT_SPEED_WPM)
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", out.name, text],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # ALSA complains of no sound card; -w needs none
        )
        with wave.open(out.name) as source:
            if (source.getnchannels(), source.getsampwidth(), source.getframerate()) != (
                1,
                2,
                RATE,
            ):
                raise RuntimeError(f"espeak-ng wrote an unexpected format for {text!r}")
            return array.array("h", source.readframes(source.getnframes()))


def trim(samples: array.array) -> array.array:
    """Cut the silence at both ends, keeping EDGE_S of it."""
    loud = [i for i, s in enumerate(samples) if abs(s) > SILENCE_LEVEL]
    if not loud:
        return samples
    edge = int(EDGE_S * RATE)
    return samples[max(0, loud[0] - edge) : loud[-1] + edge]


def chime() -> array.array:
    """Return a soft two-note chime (E5 then C5), like a hall's ding-dong: 1.25 s, short so
    that the whole call is about six seconds."""
    samples = array.array("h")
    for frequency, length_s in ((659.25, 0.4), (523.25, 0.75)):
        count = int(length_s * RATE)
        for i in range(count):
            t = i / RATE
            envelope = math.exp(-3.5 * t) * min(1.0, i / (0.01 * RATE))
            tone = math.sin(2 * math.pi * frequency * t) + 0.3 * math.sin(
                4 * math.pi * frequency * t
            )
            samples.append(int(9000 * envelope * tone))
    return samples + silence(0.1)


def silence(length_s: float) -> array.array:
    """Return length_s seconds of silence."""
    return array.array("h", bytes(2 * int(length_s * RATE)))


def write_wav(path: Path, samples: array.array) -> None:
    """Write 16-bit mono samples at RATE, through a temporary file so a reader never sees
    half a clip."""
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    partial.replace(path)


def _fingerprint() -> str:
    version = (
        subprocess.run(
            ["espeak-ng", "--version"], capture_output=True, text=True, check=False
        ).stdout
        if shutil.which("espeak-ng")
        else ""
    )
    described = json.dumps([GENERATOR_VERSION, version, CLIPS], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(described.encode()).hexdigest()


def _all_present() -> bool:
    return all((GENERATED_DIR / f"{name}.wav").is_file() for name in CLIPS)


if __name__ == "__main__":
    sys.exit(main())
