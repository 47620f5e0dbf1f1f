build-x/obj/lib/core/signals.o: lib/core/signals.c lib/core/signals.h \
 lib/core/err.h
lib/core/signals.h:
lib/core/err.h:
