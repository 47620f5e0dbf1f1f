build-x/obj/lib/tlog/checkpoint.o: lib/tlog/checkpoint.c \
 lib/tlog/checkpoint.h lib/crypto/crypto.h lib/core/err.h \
 lib/tlog/merkle.h lib/core/dxtime.h lib/core/encode.h lib/core/utf8.h
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/utf8.h:
