"""A small Tk window the desktop tests drive: it prints every key, click and scroll it gets, one line each.

Run as ``python desk_probe.py TITLE`` (or ``--copy TEXT [SECONDS]`` to put TEXT on the clipboard for 0.7 s or
SECONDS). Lines on
stdout: ``ready X Y``; ``text <what was typed so far>`` after each key; ``key <keysym> <state>``;
``click <button> <x> <y>`` (window coordinates); ``double <x> <y>``; ``scroll <up|down>``;
``drag <x0> <y0> <x1> <y1>``. It draws a black-and-orange pattern at (40, 120) and a line of text at (20, 200).
"""

import sys
import tkinter as tk

PATTERN_AT = (40, 120)
TEXT_AT = (20, 200)
TEXT = "Invoice 4711 paid"


def say(*parts: object) -> None:
    print(*parts, flush=True)


def copy(text: str, seconds: float = 0.7) -> None:
    """Own the clipboard with ``text`` for ``seconds`` (Tk answers the requests for it meanwhile)."""
    root = tk.Tk(className="flowcopy")
    root.withdraw()
    root.clipboard_clear()
    root.clipboard_append(text)
    root.after(int(seconds * 1000), root.destroy)
    root.mainloop()


def main() -> None:
    if sys.argv[1:2] == ["--copy"]:
        copy(sys.argv[2], *map(float, sys.argv[3:4]))
        return
    root = tk.Tk(className="flowprobe")
    root.title(sys.argv[1] if len(sys.argv) > 1 else "Flowdeck probe")
    root.geometry("420x300+100+100")
    canvas = tk.Canvas(root, width=420, height=300, background="white", highlightthickness=0)
    canvas.pack()
    x, y = PATTERN_AT
    canvas.create_rectangle(x, y, x + 40, y + 40, fill="#000000", outline="")
    canvas.create_rectangle(x + 8, y + 8, x + 24, y + 24, fill="#ff8800", outline="")
    canvas.create_oval(x + 22, y + 22, x + 36, y + 36, fill="#00aaff", outline="")
    canvas.create_text(*TEXT_AT, text=TEXT, anchor="nw", font=("DejaVu Sans", 20), fill="black")
    typed: list[str] = []
    start: list[int] = []

    def key(e: tk.Event) -> None:
        say("key", e.keysym, e.state)
        if e.char and e.char.isprintable():
            typed.append(e.char)
        say("text", "".join(typed))

    def press(e: tk.Event) -> None:
        start[:] = [e.x, e.y]
        say("click", e.num, e.x, e.y)

    root.bind("<Key>", key)
    canvas.bind("<ButtonPress-1>", press)
    canvas.bind("<ButtonPress-3>", lambda e: say("click", 3, e.x, e.y))
    canvas.bind("<Double-Button-1>", lambda e: say("double", e.x, e.y))
    canvas.bind("<ButtonRelease-1>", lambda e: say("drag", *start, e.x, e.y) if start and start != [e.x, e.y] else None)
    canvas.bind("<Button-4>", lambda e: say("scroll", "up"))
    canvas.bind("<Button-5>", lambda e: say("scroll", "down"))
    root.after(300, lambda: (root.focus_force(), say("ready", root.winfo_rootx(), root.winfo_rooty())))
    root.mainloop()


if __name__ == "__main__":
    main()
