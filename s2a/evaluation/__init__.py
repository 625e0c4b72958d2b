"""Scoring predicted action sequences against the ground truth, as the Smiles2Actions paper does.

metrics: validity, BLEU, exact and partial (Levenshtein) matches per model.
differences: what kind of difference separates a prediction from the truth (paper Table 5).
action_types: per-action-type precision, recall and F1.
chemactor_metrics: ChemActor's suite (padded BLEU-2/4, ROUGE, looser validity, Levenshtein shares) for any task.
report / plots: the comparison report written by `s2a compare`.
"""
