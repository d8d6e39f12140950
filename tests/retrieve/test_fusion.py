"""The fusion's behaviour on small hand-made cases."""

from cxrag.retrieve.fusion import Weights, fuse, top2, zscores


def ranking(fused: dict[str, float]) -> list[str]:
    return sorted(fused, key=lambda d: -fused[d])


def test_zscores_flat_list_is_zero() -> None:
    assert zscores({"a": 1.0, "b": 1.0}) == {"a": 0.0, "b": 0.0}
    z = zscores({"a": 3.0, "b": 1.0})
    assert z["a"] > 0 > z["b"]


def test_top2_rewards_a_strong_runner_up() -> None:
    assert top2([0.5]) == 0.5
    assert top2([0.5, 0.4]) > top2([0.5, 0.1])


def test_a_strong_leg_is_not_dragged_down_by_a_flat_one() -> None:
    dense = {"right": 0.82, "close": 0.55, "far": 0.31, "other": 0.30}
    # Every candidate shares the same one word with the query: the lexical leg says nothing.
    flat = dict.fromkeys(dense, 4.2)
    fused = fuse(flat, dense, dense, Weights())
    assert ranking(fused) == ["right", "close", "far", "other"]
    assert fused == fuse({}, dense, dense, Weights())  # a flat leg adds nothing at all


def test_a_leg_with_no_evidence_leaves_the_others_in_charge() -> None:
    lexical = {"a": 12.0, "b": 3.0, "c": 2.5}
    assert ranking(fuse(lexical, {}, {}, Weights())) == ["a", "b", "c"]


def test_a_cross_language_document_ranks_on_its_dense_evidence() -> None:
    # A Spanish question over a mixed knowledge base: the English answer shares no word with
    # it, while Spanish pages share chance words ("de", "la cuenta") and sit far in meaning.
    lexical = {"es/pagos": 6.1, "es/envios": 5.8, "es/cuenta": 5.5, "es/tienda": 5.2}
    dense_chunk = {"en/answer": 0.71, "es/pagos": 0.42, "es/envios": 0.40, "es/cuenta": 0.38,
                   "es/tienda": 0.35, "en/other": 0.33}
    dense_doc = {"en/answer": 0.64, "es/pagos": 0.40, "es/envios": 0.37, "es/cuenta": 0.36,
                 "es/tienda": 0.33, "en/other": 0.30}
    assert ranking(fuse(lexical, dense_chunk, dense_doc, Weights()))[0] == "en/answer"


def test_lexical_evidence_decides_between_documents_equal_in_meaning() -> None:
    dense = {"a": 0.6, "b": 0.6, "c": 0.2}
    assert ranking(fuse({"b": 9.0, "a": 1.0}, dense, dense, Weights()))[0] == "b"


def test_same_language_missing_lexical_gets_the_floor() -> None:
    fused = fuse({"a": 5.0, "b": 1.0}, {"a": 0.5, "b": 0.5, "c": 0.5}, {}, Weights())
    assert fused["c"] == min(fused.values())
