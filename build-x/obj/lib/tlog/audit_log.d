build-x/obj/lib/tlog/audit_log.o: lib/tlog/audit_log.c \
 lib/tlog/audit_log.h build-x/gen/dx.pb-c.h lib/tlog/merkle.h \
 lib/core/names.h lib/store/store.h lib/core/err.h lib/core/glob.h \
 lib/core/names.h lib/wire/wire.h
lib/tlog/audit_log.h:
build-x/gen/dx.pb-c.h:
lib/tlog/merkle.h:
lib/core/names.h:
lib/store/store.h:
lib/core/err.h:
lib/core/glob.h:
lib/core/names.h:
lib/wire/wire.h:
