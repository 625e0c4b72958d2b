"""Chemistry-aware sentence splitting of procedure paragraphs."""
from __future__ import annotations

import pytest

from preprocessing.sentences import split_sentences


@pytest.mark.parametrize(
    "paragraph,expected",
    [
        ("The mixture was stirred. The solvent was evaporated.",
         ["The mixture was stirred.", "The solvent was evaporated."]),
        ("2.5 g of the amine was added. It dissolved.", ["2.5 g of the amine was added.", "It dissolved."]),
        ("Example 3. The ester (1.0 g) was hydrolysed.", ["Example 3. The ester (1.0 g) was hydrolysed."]),
        ("The solid had m.p. 120-122 °C. It was used directly.",
         ["The solid had m.p. 120-122 °C.", "It was used directly."]),
        ("Stir for ca. 2 h. Then filter.", ["Stir for ca. 2 h.", "Then filter."]),
        ("Add approx. 5 ml of water. Stir.", ["Add approx. 5 ml of water.", "Stir."]),
        ("Water (ca. 5 ml. Note: cold) was added. Then it was stirred.",
         ["Water (ca. 5 ml. Note: cold) was added.", "Then it was stirred."]),
        ("It was heated at 80° C. and then cooled. The solid was collected.",
         ["It was heated at 80° C. and then cooled.", "The solid was collected."]),
        ("The flask was cooled to 0° C. The acid was added.", ["The flask was cooled to 0° C.", "The acid was added."]),
        ("The reaction was cooled in an ice bath. tert-Butyl bromide (2 g) was added.",
         ["The reaction was cooled in an ice bath.", "tert-Butyl bromide (2 g) was added."]),
        ("To a solution of 13.0 g. (0.05 mole) of the acid in 200 ml. of ethanol was added 1 g. of catalyst. It was shaken.",
         ["To a solution of 13.0 g. (0.05 mole) of the acid in 200 ml. of ethanol was added 1 g. of catalyst.",
          "It was shaken."]),
        ("The mixture was stirred for 2 h. EtOAc was added.", ["The mixture was stirred for 2 h.", "EtOAc was added."]),
        ("Was it complete? Yes! It was filtered.", ["Was it complete?", "Yes!", "It was filtered."]),
        ("", []),
        ("   ", []),
        ("no final full stop", ["no final full stop"]),
    ],
)
def test_split(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_splitting_keeps_every_character_but_the_spaces_between() -> None:
    paragraph = "A (1 g) was added. B was added at 5° C. The mixture was stirred for 10 min. C was added."
    sentences = split_sentences(paragraph)
    assert len(sentences) == 4
    assert " ".join(sentences) == paragraph


@pytest.mark.parametrize("text", ["(" * 5000 + ". A", ". . . .", "a. " * 20000, "\u3002\u3002", "\x00. B"])
def test_never_raises(text: str) -> None:
    assert isinstance(split_sentences(text), list)


def test_unclosed_bracket_does_not_swallow_the_rest_of_the_paragraph() -> None:
    paragraph = (
        "The amine (4.8 g) is stirred with 2.3 g of bis-(trichloromethyl carbonate in 25 ml of water for 24 hours "
        "at room temperature while the temperature is kept constant by a water bath and the progress is followed "
        "by thin layer chromatography until no more starting material is visible in the chromatogram at all. "
        "The precipitate is separated. It is dried."
    )
    assert split_sentences(paragraph)[-2:] == ["The precipitate is separated.", "It is dried."]
