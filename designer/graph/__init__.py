"""The script graph document: its model, templates and validator.

Plain Python: nothing here imports Django, so the dialog engine can use it.
"""
