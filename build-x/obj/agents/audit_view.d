build-x/obj/agents/audit_view.o: agents/audit_view.c agents/audit_view.h \
 build-x/gen/dx.pb-c.h lib/tlog/audit_log.h lib/tlog/merkle.h \
 lib/core/names.h lib/store/store.h lib/core/err.h lib/tlog/merkle.h \
 lib/core/dxtime.h lib/core/encode.h lib/core/utf8.h
agents/audit_view.h:
build-x/gen/dx.pb-c.h:
lib/tlog/audit_log.h:
lib/tlog/merkle.h:
lib/core/names.h:
lib/store/store.h:
lib/core/err.h:
lib/tlog/merkle.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/utf8.h:
