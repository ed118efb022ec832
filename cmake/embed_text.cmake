# Turns a text file into a NUL-terminated C array so the binary carries it
# (grammars are checked against the binary's own copy, wherever it runs).
# Run with -DSRC=file -DOUT=file.c -DSYMBOL=name; defines SYMBOL and
# SYMBOL_len (bytes, without the NUL).
file(READ "${SRC}" hex HEX)
string(LENGTH "${hex}" len)
math(EXPR len "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
get_filename_component(name "${SRC}" NAME)
file(WRITE "${OUT}.tmp" "/* generated from ${name} by cmake/embed_text.cmake; do not edit */\n"
     "#include <stddef.h>\n"
     "extern const char ${SYMBOL}[];\nextern const size_t ${SYMBOL}_len;\n"
     "const char ${SYMBOL}[] = {${hex} 0};\nconst size_t ${SYMBOL}_len = ${len};\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
