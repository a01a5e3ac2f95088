"""HDF5 in lessons: a safe tree viewer, data-exercise answers, a metadata checker."""
