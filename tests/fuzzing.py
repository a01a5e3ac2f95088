"""Hypothesis strategies for query strings as browsers and robots send them.

Names the view knows and names it does not; values that are valid, numbers of
any size, any Unicode text, and raw bytes percent-encoded as they are (invalid
UTF-8 included); a name given several times (an array where a scalar is expected).
"""

from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st

#: Any Unicode text a URL can carry (lone surrogates cannot be encoded in UTF-8).
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


def values(known: list[str]):
    """One parameter value, already percent-encoded."""
    return st.one_of(
        st.sampled_from(known).map(quote) if known else st.nothing(),
        st.integers().map(str),
        st.sampled_from(["\x00", 'FAIR"', "9" * 24, "-1", "1e400", "NaN"]).map(quote),
        TEXT.map(lambda text: quote(text, safe="")),
        st.binary(max_size=40).map(lambda raw: quote_from_bytes(raw, safe="")),
        st.just("x" * 5000),
    )


def query_strings(parameters: dict[str, list[str]], *, max_pairs: int = 6):
    """Query strings over the view's `parameters` (name: known values) and others."""
    names = st.sampled_from(sorted(parameters)) | TEXT.map(
        lambda name: quote(name, safe="")
    )
    pair = names.flatmap(
        lambda name: values(parameters.get(name, [])).map(lambda v: f"{name}={v}")
    )
    return st.lists(pair, max_size=max_pairs).map("&".join)
