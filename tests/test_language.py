"""Language identification: whole texts, and sentences that mix two languages."""

import pytest

from cxrag.language import MIXED_RUN, detect_language, foreign_run, in_language


@pytest.mark.parametrize(("text", "language"), [
    ("Para cambiar esto, open the Settings and then click on the button de la derecha.", "es"),
    ("You can return it within 30 days, y el envío de vuelta es gratis para todos.", "en"),
    ("[1] Even if a check does not report any damage, the filesystem puede estar marcado "
     "como 'dirty' internamente y requiere un reparo.", "es"),
])
def test_a_stretch_of_another_languages_prose_makes_a_sentence_mixed(text: str,
                                                                      language: str) -> None:
    assert foreign_run(text, language) >= MIXED_RUN
    assert not in_language(text, language)


@pytest.mark.parametrize(("text", "language"), [
    # names and labels kept as written hold no grammar words of the other language
    ("Los instrumentos soportados incluyen el Gretag-Macbeth i1 Pro (spectrometer) y el "
     "X-Rite i1 Display Pro (colorimeter).", "es"),
    ('En la sección "Ver", cambia el interruptor "Large Text and High Contrast" a "On".', "es"),
    ("Puedes reproducir en el grupo con Spotify Connect, AirPlay 2 o Chromecast.", "es"),
    # an unquoted label repeats one grammar word (the labelled guard set's ext-pix-03)
    ("Para compartir un archivo, haz clic en Share en la esquina superior derecha y elige "
     "Can view o Can edit.", "es"),
    ("Tiendalia ships to Spain, Mexico and the United States.", "en"),
    # a name holds grammar words of its own language: an address is no Spanish prose
    ("You can send a written complaint to Tiendalia Commerce S.L., Calle de la Ribera del "
     "Loira 46, 28042 Madrid, Spain.", "en"),
    ("Your priority should be to back up your most important files.", "en"),
])
def test_names_and_quoted_labels_are_not_another_language(text: str, language: str) -> None:
    assert foreign_run(text, language) < MIXED_RUN
    assert in_language(text, language)


def test_a_text_wholly_in_another_language_or_without_a_word_list() -> None:
    spanish = "Las devoluciones son gratuitas durante treinta días desde la entrega."
    assert detect_language(spanish) == "es" and not in_language(spanish, "en")
    assert in_language(spanish, "es")
    # a language with no function-word list is never found as a stretch
    assert foreign_run("Even if a check does not report any damage, el disco", "es",
                       ("es", "fr")) == 0
    assert foreign_run("", "es") == 0
