import typing

from paragraph2actions.actions import Add, Chemical, Stir

from s2a.formats.action_format import readable_converter


def test_conversion_survives_a_full_typing_cache() -> None:
    # typing keeps parametrised generics in an LRU cache of 128: evict Optional[str] and friends,
    # as big libraries do in a long-running process, then convert actions with optional fields.
    for i in range(300):
        typing.Optional[type(f"T{i}", (), {})]
    converter = readable_converter()
    actions = [Add(Chemical("$1$")), Stir(duration="@2@", temperature="#4#")]
    text = converter.actions_to_string(actions)
    assert text == "ADD $1$ ; STIR for @2@ at #4#"
    assert converter.string_to_actions(text) == actions
