from tests.portal_pages.test_workflows import *  # noqa
from wagtail import hooks

def test_peek(client, mitaka, people):
    blog = StandardPage(title="はじめての保育園見学", slug="hk", live=False, owner=people.reporter)
    mitaka.sections["community"].add_child(instance=blog)
    blog.save_revision(user=people.reporter)
    submit(blog, people.reporter)
    client.force_login(people.kawa)
    with hooks.register_temporarily("construct_page_action_menu", lambda *a: None):
        pass
    from portal_pages import wagtail_hooks as h
    hooks._hooks["construct_page_action_menu"] = [x for x in hooks._hooks["construct_page_action_menu"] if x[0] is not h.label_editorial_meeting_votes]
    html = client.get(reverse("wagtailadmin_pages:edit", args=[blog.pk])).content.decode()
    import re
    print([m for m in re.findall(r"承認[^<]{0,10}", html)])
    assert 0
