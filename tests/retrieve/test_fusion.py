from cxrag.retrieve.fusion import Weights, fuse, top2, zscores


def test_zscores_flat_list_is_zero() -> None:
    assert zscores({"a": 1.0, "b": 1.0}) == {"a": 0.0, "b": 0.0}
    z = zscores({"a": 3.0, "b": 1.0})
    assert z["a"] > 0 > z["b"]


def test_top2_rewards_a_strong_runner_up() -> None:
    assert top2([0.5]) == 0.5
    assert top2([0.5, 0.4]) > top2([0.5, 0.1])


def test_cross_language_document_is_not_sunk_by_missing_lexical_evidence() -> None:
    # A Spanish query: the Spanish doc matches words, the English doc only semantically.
    lexical = {"es/otro": 9.0, "es/poco": 2.0, "es/nada": 1.0}
    dense_chunk = {"en/answer": 0.6, "es/otro": 0.5, "es/poco": 0.4, "es/nada": 0.3}
    dense_doc = {"en/answer": 0.6, "es/otro": 0.5, "es/poco": 0.4, "es/nada": 0.3}
    langs = {"en/answer": "en", "es/otro": "es", "es/poco": "es", "es/nada": "es"}
    aware = fuse(lexical, dense_chunk, dense_doc, langs, "es", Weights())
    assert max(aware, key=aware.__getitem__) == "en/answer"
    # Without language awareness (doc treated as Spanish) the lexical gap sinks it.
    naive = fuse(lexical, dense_chunk, dense_doc, {**langs, "en/answer": "es"}, "es", Weights())
    assert max(naive, key=naive.__getitem__) == "es/otro"


def test_same_language_missing_lexical_gets_the_floor() -> None:
    fused = fuse({"a": 5.0, "b": 1.0}, {"a": 0.5, "b": 0.5, "c": 0.5}, {}, {}, "en", Weights())
    assert fused["c"] == min(fused.values())
