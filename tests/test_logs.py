"""The page's log handler: numbered records, their tracebacks, and worker tracebacks logged
as the log file writes them."""

import logging

from app.progress.logs import FORMAT, PageLogHandler, log_traceback


def _logger_with_page(name):
    sent = []
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    handler = PageLogHandler(lambda event, serial: sent.append((serial, event)))
    logger.addHandler(handler)
    return logger, handler, sent


def test_each_send_names_the_newest_record_as_its_revision():
    logger, handler, sent = _logger_with_page("soma.test.serial")
    try:
        logger.info("one")
        logger.warning("two")
    finally:
        logger.removeHandler(handler)
    assert [serial for serial, _ in sent] == [1, 2]
    records = sent[-1][1]["records"]
    assert [(r["serial"], r["message"], r["traceback"]) for r in records] == [
        (1, "one", None),
        (2, "two", None),
    ]


def test_an_exception_logged_here_reaches_the_page_with_its_traceback():
    logger, handler, sent = _logger_with_page("soma.test.exception")
    try:
        try:
            {}["missing"]
        except KeyError:
            logger.exception("could not look it up")
    finally:
        logger.removeHandler(handler)
    [record] = sent[-1][1]["records"]
    assert record["message"] == "could not look it up"
    assert record["traceback"].startswith("Traceback (most recent call last)")
    assert "KeyError: 'missing'" in record["traceback"]


def test_a_traceback_from_another_process_goes_to_the_page_and_the_file(tmp_path):
    logger, handler, sent = _logger_with_page("soma.test.worker")
    path = tmp_path / "soma.log"
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(to_file)
    trace = 'Traceback (most recent call last):\n  File "w.py", line 1\nValueError: bad\n'
    try:
        log_traceback(logger, "snap job 3 failed: ValueError: bad", trace)
    finally:
        logger.removeHandler(handler)
        logger.removeHandler(to_file)
        to_file.close()
    [record] = sent[-1][1]["records"]
    assert record["message"] == "snap job 3 failed: ValueError: bad"
    assert record["level"] == "ERROR" and record["traceback"] == trace.rstrip("\n")
    written = path.read_text()
    assert (
        "ERROR soma.test.worker: snap job 3 failed: ValueError: bad\n" + trace
        == written[written.index("ERROR") :]
    )
