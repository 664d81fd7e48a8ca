"""The counsellors' back office of ねっと相談: inbox, case page, lead's screens, statistics."""
