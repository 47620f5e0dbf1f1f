build-x/obj/lib/core/log.o: lib/core/log.c lib/core/log.h \
 lib/core/dxtime.h lib/core/utf8.h
lib/core/log.h:
lib/core/dxtime.h:
lib/core/utf8.h:
