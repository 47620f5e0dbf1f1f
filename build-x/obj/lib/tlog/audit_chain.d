build-x/obj/lib/tlog/audit_chain.o: lib/tlog/audit_chain.c \
 lib/tlog/audit_chain.h lib/tlog/checkpoint.h lib/crypto/crypto.h \
 lib/core/err.h lib/tlog/merkle.h lib/core/dxtime.h lib/wire/wire.h \
 build-x/gen/dx.pb-c.h
lib/tlog/audit_chain.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
lib/core/dxtime.h:
lib/wire/wire.h:
build-x/gen/dx.pb-c.h:
