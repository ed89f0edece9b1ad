"""How fast is this machine right now? A fixed CPU-bound loop (integer arithmetic and JSON
round trips, the kind of work an import does), so numbers measured at different times can be
compared: the machines we benchmark on vary 1.5× in speed over a day (bench/RESULTS.md).

    uv run python bench/calibrate.py
"""

import json
import time


def main() -> None:
    start = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i * i % 7
    texts = [
        json.dumps({"a": i, "b": [1, 2, 3], "c": "汉字" * 3}, ensure_ascii=False) for i in range(200_000)
    ]
    for text in texts:
        json.loads(text)
    print(f"calibration: {time.process_time() - start:.2f} s CPU (lower is faster)")


if __name__ == "__main__":
    main()
