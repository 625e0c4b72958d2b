"""What passes between the stages: the target action format and its validity, prediction files.

A layer of its own with no imports from preprocessing, models or evaluation: those import it.
"""
