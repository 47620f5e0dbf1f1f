build-x/obj/lib/tlog/merkle.o: lib/tlog/merkle.c lib/tlog/merkle.h \
 lib/crypto/crypto.h lib/core/err.h
lib/tlog/merkle.h:
lib/crypto/crypto.h:
lib/core/err.h:
