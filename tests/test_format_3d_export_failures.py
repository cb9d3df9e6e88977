"""glTF and OpenUSD exports that cannot be written (a full disk, a read-only folder): `mothertwin export` says
so and why, names the file, and leaves nothing behind: no new file, no temporary file, an existing file as
it was."""

from __future__ import annotations

import errno
import os

import pytest

from viewer.app.exporting import export_plant, find_writer
from viewer.cli import main
from viewer.formats import OpenCancelledError
from viewer.io import load_document
from viewer.sensors.plugins import PluginRegistry, is_shipped

SUFFIXES = [".glb", ".gltf", ".usda", ".usdc"]


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover(allow=is_shipped)


def _full_disk(monkeypatch) -> None:
    """Every write reaches the disk and finds it full (atomic writes fsync before they rename)."""

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_full_disk_leaves_nothing_and_an_existing_file_as_it_was(tmp_path, monkeypatch, capsys, suffix, demo_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"plant{suffix}"
    _full_disk(monkeypatch)
    assert main(["export", str(demo_path), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"mothertwin export: {target}: not written: No space left on device" in err
    assert list(out.iterdir()) == []  # neither the file nor a temporary one
    target.write_bytes(b"the export of yesterday")
    assert main(["export", str(demo_path), "-o", str(target)]) == 1
    assert target.read_bytes() == b"the export of yesterday"
    assert [p.name for p in out.iterdir()] == [target.name]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_read_only_folder_leaves_nothing(tmp_path, monkeypatch, registry, library, demo_path, suffix):
    locked = tmp_path / "locked"
    locked.mkdir()
    document = load_document(demo_path, library)
    writer = find_writer(registry, suffix)
    if os.geteuid() == 0:  # root writes anywhere: the folder refuses the temporary file as a read-only one would
        import viewer.io.atomic

        def refused(*args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(locked))

        monkeypatch.setattr(viewer.io.atomic.tempfile, "mkstemp", refused)
    else:
        locked.chmod(0o500)
    with pytest.raises(PermissionError):
        export_plant(document, locked / f"plant{suffix}", writer, library=library)
    locked.chmod(0o700)
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_cancelled_export_writes_nothing(tmp_path, registry, library, demo_path, suffix):
    document = load_document(demo_path, library)
    stages: list[str] = []
    with pytest.raises(OpenCancelledError, match=f"export of plant{suffix} cancelled"):
        export_plant(document, tmp_path / f"plant{suffix}", find_writer(registry, suffix), library=library,
                     progress=lambda fraction, stage: stages.append(stage), cancelled=lambda: bool(stages))  # fmt: skip
    assert stages and list(tmp_path.iterdir()) == []
