"""lstm_book: what only the book needs, never imported by `lstm_lib`.

    notebook     one set-up line per chapter, the library's source shown in the text, numbers for the prose
    widgets      slider widgets that also work in the static HTML book
    diagrams     figures of cells and unrolled networks drawn with matplotlib
    experiments  the experiments the chapters run, one module per chapter
    exercises    the checkers of the chapters' exercises: one feedback core, one module per chapter
"""
