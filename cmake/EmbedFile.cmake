# cmake -DINPUT=FILE -DOUTPUT=FILE.inc -P EmbedFile.cmake: writes FILE's bytes
# as a comma-separated list of C integer literals, to #include inside an
# array initializer.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}" "${bytes}\n")
