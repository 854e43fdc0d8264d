"""IR -> IR passes: dce, cse, simplify, inline (iterative; no recursion)."""
