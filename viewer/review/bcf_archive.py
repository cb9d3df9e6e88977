"""Reading a BCF zip safely: members are read into memory, never extracted to disk, and only those asked for.

A BCF file comes from outside (another firm's BIM tool, an e-mail), so the archive is checked before anything is
read: member names that climb out (`../`) or are absolute are refused by name, and hard limits on the number of
members, the size of each, their total and their compression ratio stop a zip bomb before it is inflated. A member
is inflated in chunks and given up as soon as it passes its limit, whatever its header claims.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from viewer.io.errors import PlantFileError, Problem

CHUNK = 1 << 20
READ_SUFFIXES = (".bcf", ".bcfv", ".bcfp", ".version", ".xml", ".png", ".jpg", ".jpeg")


class BcfError(PlantFileError):
    """A BCF file that cannot be read at all (not a zip, an unknown version, over a limit)."""


@dataclass(frozen=True, slots=True)
class BcfLimits:
    """What a BCF file may hold. A real review of 1,000 topics with snapshots is a few hundred MB in a few
    thousand members; the limits are well above that and well below what would hurt the machine."""

    max_archive_bytes: int = 4 << 30  # the .bcf file itself
    max_members: int = 100_000
    max_member_bytes: int = 256 << 20  # one member, inflated (a big snapshot, a viewpoint of many components)
    max_total_bytes: int = 2 << 30  # every member read, inflated
    max_ratio: float = 200.0  # inflated / compressed, for members over ratio_floor bytes
    ratio_floor: int = 1 << 20


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name_reason(name: str) -> str:
    """Why a member name is not a plain relative path inside the archive ("" when it is one)."""
    if "\x00" in name:
        return "a NUL character in the name"
    text = name.replace("\\", "/")
    if text.startswith("/") or _DRIVE.match(text):
        return "an absolute path: a BCF member is a path inside the archive"
    if ".." in PurePosixPath(text).parts:
        return "a path that climbs out of the archive ('..')"
    return ""


@dataclass
class BcfArchive:
    """The members of a BCF zip by their (forward-slash) names, read on demand within the limits."""

    path: Path
    zip: zipfile.ZipFile
    limits: BcfLimits
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (member, why it is not read)
    read_bytes: int = 0

    def names(self) -> list[str]:
        return list(self.members)

    def has(self, name: str) -> bool:
        return name in self.members

    def read(self, name: str) -> bytes:
        """A member's bytes; raises BcfError when reading it would pass a limit (nothing more is read then)."""
        info = self.members[name]
        limits = self.limits
        where = f"member {name}"
        if info.file_size > limits.max_member_bytes:
            raise self._error(where, f"{info.file_size:,} bytes inflated, over the limit of "
                                     f"{limits.max_member_bytes:,} for one member (a zip bomb?)")  # fmt: skip
        if info.file_size >= limits.ratio_floor and info.file_size > limits.max_ratio * max(1, info.compress_size):
            raise self._error(where, f"compressed {info.file_size / max(1, info.compress_size):,.0f} to 1, over the "
                                     f"limit of {limits.max_ratio:g} to 1 (a zip bomb?)")  # fmt: skip
        budget = min(limits.max_member_bytes, limits.max_total_bytes - self.read_bytes)
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as handle:
                while True:
                    chunk = handle.read(min(CHUNK, budget - size + 1))
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > budget:
                        raise self._error(where, f"inflates past {budget:,} bytes, more than its header says and "
                                                 "more than the limits allow (a zip bomb?)")  # fmt: skip
                    chunks.append(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise self._error(where, f"damaged or unsupported data: {exc}") from exc
        self.read_bytes += size
        return b"".join(chunks)

    def _error(self, where: str, message: str) -> BcfError:
        return BcfError([Problem(str(self.path), where, message)])

    def close(self) -> None:
        self.zip.close()


def open_archive(path: Path, limits: BcfLimits | None = None) -> BcfArchive:
    """Open a BCF zip and check its directory; raises BcfError naming the file and what is wrong."""
    limits = limits or BcfLimits()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BcfError.single(path, "file", f"cannot be read: {exc.strerror or exc}") from exc
    if size > limits.max_archive_bytes:
        raise BcfError.single(path, "file", f"{size:,} bytes, over the limit of {limits.max_archive_bytes:,}")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise BcfError.single(path, "file", f"not a zip archive ({exc}): expected a BCF file (.bcf, .bcfzip)") from exc
    except OSError as exc:
        raise BcfError.single(path, "file", f"cannot be read: {exc.strerror or exc}") from exc
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        archive.close()
        raise BcfError.single(path, "zip directory", f"{len(infos):,} members, over the limit of "
                                                     f"{limits.max_members:,}")  # fmt: skip
    result = BcfArchive(path, archive, limits)
    for info in infos:
        name = info.filename
        reason = unsafe_name_reason(name)
        if not reason and stat.S_ISLNK(info.external_attr >> 16):
            reason = "a symbolic link"
        if not reason and info.flag_bits & 0x1:
            reason = "encrypted"
        if reason:
            result.skipped.append((f"member {name!r}", f"{reason}; not read"))
            continue
        if info.is_dir():
            continue
        clean = PurePosixPath(name.replace("\\", "/")).as_posix()
        if clean in result.members:
            result.skipped.append((f"member {name!r}", "a second member of the same name; the first is read"))
            continue
        result.members[clean] = info
    # Only what a BCF reader reads counts (a model file packed beside the topics is never read).
    declared = sum(i.file_size for n, i in result.members.items() if n.lower().endswith(READ_SUFFIXES))
    if declared > limits.max_total_bytes:
        archive.close()
        raise BcfError.single(path, "zip directory", f"{declared:,} bytes inflated in all, over the limit of "
                                                     f"{limits.max_total_bytes:,} (a zip bomb?)")  # fmt: skip
    return result
