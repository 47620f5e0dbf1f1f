build-x/obj/lib/client/progress.o: lib/client/progress.c \
 lib/client/progress.h lib/core/dxtime.h
lib/client/progress.h:
lib/core/dxtime.h:
