import numpy as np
import pytest

from framing.errors import ConfigError
from framing.labels import LabelSpace


def test_ids_follow_declared_order_not_data():
    space = LabelSpace("t", ["neutral", "alarmist", "pro_alliance"])
    assert space.id2label == {0: "neutral", 1: "alarmist", 2: "pro_alliance"}
    assert space.encode("pro_alliance") == 2
    assert space.decode(np.array([[0.1, 0.7, 0.2]])) == ["alarmist"]


def test_multi_label_encode_decode_uses_threshold():
    space = LabelSpace("t", ["a", "b", "c"], problem_type="multi_label", threshold=0.4)
    assert space.encode(["c", "a"]) == [1.0, 0.0, 1.0]
    assert space.decode(np.array([[0.5, 0.39, 0.4]])) == [["a", "c"]]


@pytest.mark.parametrize(
    "labels, kwargs, message",
    [
        (["a", "a"], {}, "more than once"),
        (["a"], {}, "at least 2 labels"),
        (["a", " "], {}, "empty name"),
        (["a", "b"], {"problem_type": "ranking"}, "problem_type"),
        (["a", "b"], {"threshold": 1.5}, "threshold"),
    ],
)
def test_bad_label_spaces_fail_with_the_key(labels, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LabelSpace("t", labels, **kwargs)
