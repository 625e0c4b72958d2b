from s2a.paths import MODELS_DIR, PREDICTIONS_DIR, model_dir, predictions_dir, run_name


def test_profiles_other_than_the_default_get_their_own_folders() -> None:
    assert model_dir("transformer") == MODELS_DIR / "transformer"
    assert model_dir("transformer", "cpu-long") == MODELS_DIR / "transformer-cpu-long"
    assert predictions_dir("bart", "paper") == PREDICTIONS_DIR / "bart-paper"
    assert run_name("transformer", "configs/mine.yaml") == "transformer-mine"
    assert run_name("nn", "cpu") == "nn"
