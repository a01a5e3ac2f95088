"""Crafted HDF5 files, generated in each test's tmp_path."""

import h5py
import numpy as np
import pytest

from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory


def write_good_file(path):
    """A file that passes every rule of the default checklist (and dimension scales)."""
    with h5py.File(path, "w") as f:
        f.attrs.update(
            title="Station météo",
            creator="Camille Durand",
            license="CC-BY-4.0",
            description="Hourly measurements.",
        )
        time = f.create_dataset("measurements/time", data=np.arange(48) * 3600)
        time.attrs.update(units="seconds since 2024-01-01", long_name="time")
        time.make_scale("time")
        temp = f.create_dataset(
            "measurements/temperature",
            data=np.linspace(0.0, 4.7, 48),
            chunks=(24,),
            compression="gzip",
        )
        temp.attrs.update(units="degC", long_name="air temperature")
        temp.dims[0].attach_scale(time)
    return path


@pytest.fixture
def good_file(tmp_path):
    return write_good_file(tmp_path / "good.h5")


@pytest.fixture
def nested_file(tmp_path):
    """Groups three levels deep, chunked/compressed data, strings, a compound type."""
    path = tmp_path / "nested.h5"
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "Nested"
        f.attrs["big"] = np.zeros(1000)  # 8 kB: too large to show
        run = f.create_group("experiment/run1")
        run.attrs["operator"] = "Inès"
        signal = run.create_dataset(
            "signal",
            data=np.arange(1000, dtype="float32").reshape(100, 10),
            chunks=(10, 10),
            compression="gzip",
            compression_opts=6,
        )
        signal.attrs["units"] = "mV"
        run.create_dataset(
            "labels", data=np.array(["a", "bb"], dtype=h5py.string_dtype())
        )
        run.create_dataset(
            "events", data=np.array([(1, 2.5)], dtype=[("code", "i4"), ("value", "f8")])
        )
        f.create_group("experiment/run1/calibration/raw")
        f["experiment/run1/calibration/raw/offset"] = 0.25
        f["alias"] = h5py.SoftLink("/experiment/run1/signal")
        f["experiment/same_signal"] = signal  # a second hard link
    return path


@pytest.fixture
def outside_file(tmp_path):
    """A file outside the upload, that the inspection must never open."""
    path = tmp_path / "outside" / "secret.h5"
    path.parent.mkdir()
    with h5py.File(path, "w") as f:
        f["secret"] = np.arange(5)
    return path


@pytest.fixture
def external_link_file(tmp_path, outside_file):
    path = write_good_file(tmp_path / "external_link.h5")
    with h5py.File(path, "a") as f:
        f["measurements/elsewhere"] = h5py.ExternalLink(str(outside_file), "/secret")
    return path


@pytest.fixture
def virtual_dataset_file(tmp_path, outside_file):
    path = write_good_file(tmp_path / "virtual.h5")
    layout = h5py.VirtualLayout(shape=(5,), dtype="i8")
    layout[:] = h5py.VirtualSource(str(outside_file), "secret", shape=(5,))
    with h5py.File(path, "a") as f:
        vds = f.create_virtual_dataset("measurements/virtual", layout, fillvalue=-1)
        vds.attrs.update(units="1", long_name="virtual")
    return path


@pytest.fixture
def external_storage_file(tmp_path):
    raw = tmp_path / "outside.bin"
    raw.write_bytes(np.arange(10, dtype="<i4").tobytes())
    path = write_good_file(tmp_path / "external_storage.h5")
    with h5py.File(path, "a") as f:
        dset = f.create_dataset(
            "measurements/raw", shape=(10,), dtype="<i4", external=[(str(raw), 0, 40)]
        )
        dset.attrs.update(units="1", long_name="raw counts")
    return path


@pytest.fixture
def truncated_file(tmp_path, good_file):
    path = tmp_path / "truncated.h5"
    data = good_file.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


@pytest.fixture
def corrupt_file(tmp_path):
    path = tmp_path / "corrupt.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 20)
    return path


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "data.h5"
    path.write_text("time,temperature\n0,12.5\n", encoding="utf-8")
    return path


@pytest.fixture
def many_objects_file(tmp_path):
    path = tmp_path / "many.h5"
    with h5py.File(path, "w") as f:
        for number in range(60):
            f.create_group(f"g{number:03d}")
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_document(media):
    """A Wagtail document holding the given file."""
    from django.core.files import File
    from wagtail.documents.models import Document

    def make(path, title="Données"):
        with open(path, "rb") as stream:
            return Document.objects.create(
                title=title, file=File(stream, name=path.name)
            )

    return make


CHECKER_VALUE = {
    "instructions": "Déposez **votre** fichier.",
    "root_attributes": "title, creator, license, description",
    "dataset_attributes": "units, long_name",
    "require_dimension_scales": False,
    "forbid_empty_datasets": True,
    "complete_lesson": True,
}


@pytest.fixture
def learner(db):
    return UserFactory(username="hdf5-learner")


@pytest.fixture
def course(site_structure):
    """A published course with two lessons."""
    course = CoursePageFactory(
        parent=site_structure.catalogue("fr"), title="HDF5", slug="hdf5-test"
    )
    for number in (1, 2):
        LessonPageFactory(parent=course, title=f"Leçon {number}", slug=f"hdf5-{number}")
    return course


@pytest.fixture
def checker_lesson(course):
    """The first lesson of the course, with a checker block."""
    lesson = course.lessons().first()
    lesson.body = [("markdown", "Intro"), ("hdf5_checker", dict(CHECKER_VALUE))]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def checker_url(checker_lesson):
    from django.urls import reverse
    from django.utils import translation

    block_id = checker_lesson.body[1].id
    with translation.override("en"):
        return reverse("hdf5:check", args=[checker_lesson.pk, block_id])


@pytest.fixture
def upload_tmp(tmp_path, monkeypatch):
    """Temporary uploads go to a directory the test can watch."""
    import tempfile

    directory = tmp_path / "uploads-tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory
