build-x/obj/lib/client/cli.o: lib/client/cli.c lib/client/cli.h \
 lib/client/client.h build-x/gen/dx.pb-c.h lib/core/err.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 lib/policy/ytree.h
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/policy/ytree.h:
