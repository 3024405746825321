from app.cli import run_program

run_program()
