"""The log file for IT: under SAGSGANG_HOME/logs, one handler however often an entry point asks."""

import logging

from sagsgang import logs
from sagsgang.settings import Settings


def test_log_lines_land_in_the_file_under_home_once(tmp_path):
    settings = Settings(home=tmp_path)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = logs.to_file(settings)
        assert logs.to_file(settings) == path == tmp_path / "logs" / "sagsgang.log"
        assert len(root.handlers) == len(before) + 1
        logging.getLogger("prefect.engine").warning("Starting temporary server")
        for handler in root.handlers:
            handler.flush()
        assert path.read_text(encoding="utf-8").count("Starting temporary server") == 1
    finally:
        for handler in root.handlers[len(before) :]:
            root.removeHandler(handler)
            handler.close()
