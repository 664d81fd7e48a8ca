"""The search's back office in the Wagtail admin, scoped to the editor's municipality.

``access`` says who may keep a town's synonyms and promoted results and who may read what its
parents searched for; ``viewsets`` lists and edits the synonyms and promoted results; ``report``
is the 「検索キーワード」 report. ``search.wagtail_hooks`` registers them.
"""
