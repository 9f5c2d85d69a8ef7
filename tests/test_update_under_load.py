"""Readers under load during updates: searches through the web API, from several
threads, while twenty incremental updates each add one case to an answer, see the
answer of a whole generation (before or after an update, never a mix) and never an
error."""

from __future__ import annotations

import threading

from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings
from tests.web.support import make_app

UPDATES = 20
READERS = 3


def test_searches_during_twenty_updates_see_the_old_or_the_new_answer(tree, tmp_path):
    for number in range(UPDATES):
        tree.case(f"town-{number}", title=f"Town {number} furniture cluster",
                  sectors=["textiles"] if number % 2 else ["furniture"])
    tree.note()
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    casebase.build_index()
    app = make_app(casebase)
    # After update k the cases town-0 .. town-k mention the zebra crossing.
    whole = {frozenset()} | {frozenset(f"town-{n}" for n in range(k + 1)) for k in range(UPDATES)}
    seen: list[frozenset[str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def read(mode: str) -> None:
        client = app.test_client()
        while not stop.is_set():
            try:
                response = client.get(f"/api/search?q=zebra+crossing&mode={mode}&limit=100")
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.get_data(as_text=True)[:200]}")
                    continue
                hits = response.get_json()["results"]
                if mode == "keyword":  # a lesson's id starts with its case's
                    seen.append(frozenset(hit["id"].split("#")[0] for hit in hits))
            except Exception as exc:  # any error a reader meets fails the test
                failures.append(repr(exc))
            stop.wait(0.002)  # load, but leave the writer some of the interpreter

    readers = [threading.Thread(target=read, args=("keyword" if number else "hybrid",)) for number in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        for update in range(UPDATES):
            tree.case(f"town-{update}", title=f"Town {update} zebra crossing",
                      sectors=["textiles"] if update % 2 else ["furniture"])
            report = casebase.build_index()
            assert report.incremental and report.copied_documents == len(casebase.content.documents) - 1
        # The last answer a reader recorded may have been asked before the last switch; an
        # answer asked after every update must be the final one.
        final = app.test_client().get("/api/search?q=zebra+crossing&mode=keyword&limit=100").get_json()["results"]
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        casebase.close()
    assert failures == []
    assert seen and set(seen) <= whole, sorted(map(sorted, set(seen) - whole))
    assert len(set(seen)) > 2  # the readers really ran across updates
    assert frozenset(f"town-{n}" for n in range(UPDATES)) == frozenset(hit["id"].split("#")[0] for hit in final)


def test_a_request_during_another_s_switch_waits_for_the_new_generation(tree, tmp_path, monkeypatch):
    # A request that came while another was still opening the new generation found the
    # switch marked seen and answered from the old searcher; the response cache then kept
    # that old answer under the new generation's key (a stale answer after an update).
    from indexer.search.searcher import Searcher

    tree.case("town-0", title="Town 0 furniture cluster")
    tree.note()
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    serving = Casebase.open(settings, encoder=HashingEncoder())
    serving.build_index()
    old = serving.searcher
    tree.case("town-1", title="Town 1 zebra crossing")
    building = Casebase.open(settings, encoder=HashingEncoder())  # another server publishes
    building.build_index()
    building.close()

    opening, release = threading.Event(), threading.Event()
    real_open = Searcher.open.__func__

    def slow_open(cls, *args, **kwargs):
        opening.set()
        release.wait(10)
        return real_open(cls, *args, **kwargs)

    monkeypatch.setattr(Searcher, "open", classmethod(slow_open))
    answers: dict[str, object] = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", serving.searcher))
    first.start()
    assert opening.wait(10)
    second = threading.Thread(target=lambda: answers.setdefault("second", serving.searcher))
    second.start()
    second.join(0.3)
    answered_early = not second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    serving.close()
    assert not answered_early and answers["second"] is answers["first"] is not old
