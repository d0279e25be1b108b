"""``make execute`` stores outputs in one shape, however the kernel chunked its prints."""

import nbformat

from utils.execute import coalesce_streams


def test_consecutive_chunks_of_one_stream_are_merged_and_order_is_kept():
    new = nbformat.v4
    cell = new.new_code_cell("print('a'); display(1); print('b')")
    cell.outputs = [
        new.new_output("stream", name="stdout", text="✅ q1: correct!"),
        new.new_output("stream", name="stdout", text="\n"),
        new.new_output("display_data", data={"text/plain": "1"}),
        new.new_output("stream", name="stdout", text="b\n"),
        new.new_output("stream", name="stderr", text="warning\n"),
    ]
    notebook = new.new_notebook(cells=[cell, new.new_markdown_cell("text")])
    coalesce_streams(notebook)
    shapes = [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs]
    assert shapes == [("stream", "stdout", "✅ q1: correct!\n"), ("display_data", None, None),
                      ("stream", "stdout", "b\n"), ("stream", "stderr", "warning\n")]
