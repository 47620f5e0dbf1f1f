build-x/obj/lib/core/diag.o: lib/core/diag.c lib/core/diag.h \
 lib/core/err.h
lib/core/diag.h:
lib/core/err.h:
