"""Editorial workflows: the town's approval steps and the 編集会議 (editorial meeting) as a Wagtail task.

Content is made by citizens in workshops, discussed and voted on at the 編集会議, approved by
the NPO and, for municipal information, by the town. Each municipality gets one workflow per
section (``setup.ensure_workflows``); the meeting's rules live in ``meeting``, its mail in
``notifications`` and its printable agenda in ``agenda`` and ``views``.
"""
