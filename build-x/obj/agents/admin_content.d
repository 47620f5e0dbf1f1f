build-x/obj/agents/admin_content.o: agents/admin_content.c agents/admin.h \
 lib/crypto/crypto.h lib/core/names.h lib/store/pool.h lib/core/err.h \
 lib/store/store.h lib/wire/wire.h build-x/gen/dx.pb-c.h
agents/admin.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/store/pool.h:
lib/core/err.h:
lib/store/store.h:
lib/wire/wire.h:
build-x/gen/dx.pb-c.h:
