"""Property-based fuzzing of the HDF5 inspection (hypothesis, bounded).

Random files (groups, datasets of many types and shapes, attributes, soft and
external links), some with random bytes overwritten, go through the real
sandbox: a tree or a learner-safe Hdf5FileError, never anything else; an
unmutated file is read completely, every dataset found with its shape.
"""

import tempfile
from pathlib import Path

from django.utils import translation

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.hdf5.inspect import Hdf5FileError, inspect_file

NAMES = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="/."
    ),
    min_size=1,
    max_size=10,
)
SHAPES = st.lists(st.integers(0, 4), max_size=3).map(tuple)
DTYPES = st.sampled_from(["f8", "i4", "u1", "?", "S5", "vlen", "compound", "ragged"])
ATTRIBUTES = st.dictionaries(
    NAMES,
    st.one_of(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs",), blacklist_characters="\x00"
            ),
            max_size=40,
        ),
        st.floats(),
        st.integers(-(2**31), 2**31),
        st.lists(st.floats(allow_nan=False), max_size=4),
    ),
    max_size=3,
)
DATASETS = st.tuples(st.just("dataset"), DTYPES, SHAPES, ATTRIBUTES)
LINKS = st.tuples(st.sampled_from(["soft", "external"]), NAMES)
TREES = st.recursive(
    st.one_of(DATASETS, LINKS),
    lambda children: st.tuples(
        st.just("group"), st.dictionaries(NAMES, children, max_size=4), ATTRIBUTES
    ),
    max_leaves=12,
)
MUTATIONS = st.one_of(
    st.just([]),
    st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=12),
)


def _dtype(name):
    if name == "vlen":
        return h5py.string_dtype()
    if name == "compound":
        return np.dtype([("a", "i4"), ("b", "f8")])
    if name == "ragged":
        return h5py.vlen_dtype("i2")
    return np.dtype(name)


def _write(group, name, node, datasets):
    kind = node[0]
    if kind == "dataset":
        _, dtype, shape, attributes = node
        dataset = group.create_dataset(name, shape=shape, dtype=_dtype(dtype))
        dataset.attrs.update(attributes)
        datasets[dataset.name] = shape
    elif kind == "soft":
        group[name] = h5py.SoftLink("/" + node[1])
    elif kind == "external":
        group[name] = h5py.ExternalLink("/nonexistent/elsewhere.h5", "/" + node[1])
    else:
        _, children, attributes = node
        sub = group.create_group(name)
        sub.attrs.update(attributes)
        for child_name, child in children.items():
            _write(sub, child_name, child, datasets)


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tree=TREES, mutations=MUTATIONS)
def test_inspection_of_random_files(tree, mutations):
    """A tree or a clear Hdf5FileError; unmutated files are read completely."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "random.h5"
        datasets = {}
        with h5py.File(path, "w") as handle:
            _write(handle, "root", tree, datasets)
        data = bytearray(path.read_bytes())
        for where, value in mutations:
            data[8 + int(where * (len(data) - 9))] = value
        path.write_bytes(bytes(data))
        try:
            result = inspect_file(path)
        except Hdf5FileError as error:
            assert mutations, error.message
            assert str(error.message)
            return
        assert result.objects <= 2000
        if not mutations:
            assert result.complete
            for dataset_path, shape in datasets.items():
                node = result.find(dataset_path)
                assert node is not None and node.shape == shape
