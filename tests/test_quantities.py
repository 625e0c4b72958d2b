import pytest

from preprocessing.quantities import UnreadableQuantity, is_reflux, parse_duration, parse_ph, parse_temperature


@pytest.mark.parametrize(
    "text, celsius",
    [
        ("25 °C", 25.0),
        ("0° C", 0.0),
        ("-78 C", -78.0),
        ("−10°C", -10.0),  # Unicode minus
        ("20-25 °C", 22.5),
        ("20°-25° C.", 22.5),
        ("0 to 5 °C", 2.5),
        ("100 deg C", 100.0),
        ("60 degrees C", 60.0),
        ("room temperature", 25.0),
        ("ambient", 25.0),
        ("rt", 25.0),
        ("at 0 °C", 0.0),
        ("ice bath", 0.0),
        ("77 °F", 25.0),
        ("298.15 K", 25.0),
        # Free text as procedure paragraphs write it (the text action source).
        ("below 30°", 30.0),
        ("(−78)° C", -78.0),
        ("(-78) °C.", -78.0),
        ("RT", 25.0),
        ("r.t.", 25.0),
        ("between 0 and 5 °C", 2.5),
        ("< 10 °C", 10.0),
        ("not exceeding 40° C", 40.0),
        ("ice-water bath", 0.0),
        ("under ice cooling", 0.0),
        ("room temperature (about 20° C.)", 25.0),
        ("-78° C.", -78.0),
        ("(0° C", 0.0),  # bracket left open by the extractor
    ],
)
def test_parse_temperature(text: str, celsius: float) -> None:
    assert parse_temperature(text) == pytest.approx(celsius)


@pytest.mark.parametrize(
    "text", ["25", "reflux", "warm", "same temperature", "", "hot water", "0 °C to room temperature", "below"]
)
def test_unreadable_temperature_carries_text(text: str) -> None:
    with pytest.raises(UnreadableQuantity) as e:
        parse_temperature(text)
    assert e.value.text == text


@pytest.mark.parametrize(
    "text, hours",
    [
        ("2 h", 2.0),
        ("30 min", 0.5),
        ("1.5 hours", 1.5),
        ("1-2 h", 1.5),
        ("15 to 30 minutes", 0.375),
        ("2 days", 48.0),
        ("overnight", 16.0),
        ("1 h 30 min", 1.5),
        ("1 hour and 30 minutes", 1.5),
        ("two hours", 2.0),
        ("an hour", 1.0),
        ("a further 2 h", 2.0),
        ("10 minutes.", 1 / 6),
        ("1 week", 168.0),
        ("45 s", 45 / 3600),
        ("3 days", 72.0),
        ("over night", 16.0),
        ("1/2 hour", 0.5),
        ("½ hour", 0.5),
        ("overnight (16 h)", 16.0),
        ("48 hrs", 48.0),
        ("a period of 2 hours", 2.0),
        ("3-d", 72.0),
        ("forty-five minutes", 0.75),
    ],
)
def test_parse_duration(text: str, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize(
    "text", ["a few minutes", "several hours", "unknown", "1h30", "", "some time", "several days", "the weekend", "1/0 h"]
)
def test_unreadable_duration(text: str) -> None:
    with pytest.raises(UnreadableQuantity):
        parse_duration(text)


@pytest.mark.parametrize(
    "text, ph", [("2", 2.0), ("pH 2", 2.0), ("pH=8-9", 8.5), ("acidic", 3.0), ("neutral", 7.0), ("basic", 11.0)]
)
def test_parse_ph(text: str, ph: float) -> None:
    assert parse_ph(text) == pytest.approx(ph)


@pytest.mark.parametrize("text", ["15", "slightly acidic to neutral", "-1"])
def test_unreadable_ph(text: str) -> None:
    with pytest.raises(UnreadableQuantity):
        parse_ph(text)


def test_is_reflux() -> None:
    assert is_reflux("reflux") and is_reflux("at reflux temperature") and is_reflux("Refluxing")
    assert not is_reflux("80 °C")
