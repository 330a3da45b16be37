from planvalidator.cli import run

run()
