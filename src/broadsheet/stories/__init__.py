"""Stories: fold wire copies, group coverage into stories, related and trending.

fold.py      wire copies, shortened ones too, by shingle containment: folded
agency.py    which news agency a text credits
text.py      article text -> weighted features
repeats.py   text an outlet repeats on its pages, left out of the features
index.py     the term index: candidate retrieval without scanning stories
cluster.py   the online rule: join a story or start one; moves and merges
state.py     the stage itself: its memory, one article in, one decision out (no I/O)
related.py   earlier and later stories on the same subject
trending.py  top stories
coverage.py  who covered a story, from where, in which languages, who did not
"""
