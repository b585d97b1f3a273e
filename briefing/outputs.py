"""Writing export files: all or nothing, and the multi-page formats (PDF pack, PPTX, GIF, MP4)."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from PIL import Image

FRAME_SECONDS: Final = 1.0  # how long a timelapse shows each window
LAST_FRAME_SECONDS: Final = 3.0  # and the last, before it loops


class OutputError(Exception):
    pass


def check_writable(path: Path) -> None:
    """Fail before any work when `path` cannot be written; says why in one line."""
    folder = path.parent
    if path.is_dir():
        raise OutputError(f"--out {path}: is a folder")
    if not folder.is_dir():
        raise OutputError(f"--out {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"--out {path}: not writable")


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` that replaces it only when the block succeeds."""
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies, as for any file
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_output(path) as temporary:
        temporary.write_bytes(data)


def write_pdf(path: Path, pages: list[bytes]) -> None:
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter()
    for page in pages:
        writer.append(PdfReader(io.BytesIO(page)))
    with atomic_output(path) as temporary, open(temporary, "wb") as file:
        writer.write(file)


def write_pptx(path: Path, deck) -> None:
    """A python-pptx presentation, built by briefing/pptx_slides.py."""
    with atomic_output(path) as temporary:
        deck.save(str(temporary))


def _durations(count: int) -> list[float]:
    return [FRAME_SECONDS] * (count - 1) + [LAST_FRAME_SECONDS]


def write_gif(path: Path, frames: list[bytes]) -> None:
    # Octree keeps the legend's and the markers' exact colours; median cut gives them to the relief.
    images = [Image.open(io.BytesIO(f)).convert("RGB").quantize(colors=255, method=Image.Quantize.FASTOCTREE)
              for f in frames]
    with atomic_output(path) as temporary:
        images[0].save(temporary, format="GIF", save_all=True, append_images=images[1:], loop=0,
                       duration=[round(s * 1000) for s in _durations(len(images))], optimize=False)


def mp4_problem() -> str:
    """Why MP4 cannot be written here, or '' when it can."""
    try:
        import imageio_ffmpeg
        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return "MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); .gif works without it"
    return ""


def write_mp4(path: Path, frames: list[bytes]) -> None:
    """H.264 at one frame per second, each window held FRAME_SECONDS; plays in browsers and PowerPoint."""
    import imageio_ffmpeg
    first = Image.open(io.BytesIO(frames[0]))
    width, height = first.width // 2 * 2, first.height // 2 * 2  # yuv420p needs even sides
    with atomic_output(path) as temporary:
        writer = imageio_ffmpeg.write_frames(str(temporary), (width, height), fps=1 / FRAME_SECONDS,
                                             codec="libx264", macro_block_size=2, ffmpeg_log_level="error",
                                             output_params=["-movflags", "+faststart", "-f", "mp4"])
        writer.send(None)
        for frame, seconds in zip(frames, _durations(len(frames))):
            image = Image.open(io.BytesIO(frame)).convert("RGB").crop((0, 0, width, height))
            for _ in range(round(seconds / FRAME_SECONDS)):
                writer.send(image.tobytes())
        writer.close()
