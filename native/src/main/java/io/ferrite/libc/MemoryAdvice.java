package io.ferrite.libc;

/**
 * The {@code madvise(2)} advice values Ferrite uses, with their Linux numbers.
 *
 * <p>Thread-safety: immutable.
 */
public enum MemoryAdvice {
    /** No special treatment. */
    NORMAL(0),
    /** Expect page references in random order: a fault brings in one page, with no read-ahead. */
    RANDOM(1),
    /** Expect access soon: read ahead / fault in. */
    WILL_NEED(3),
    /** Not needed: the kernel may free the pages; private anonymous pages read back as zero. */
    DONT_NEED(4),
    /** Back this range with transparent huge pages where possible. */
    HUGE_PAGE(14),
    /** Never back this range with transparent huge pages. */
    NO_HUGE_PAGE(15),
    /**
     * Fault the range's pages in for reading now, in one call (Linux 5.14+): what touching a byte of
     * each page does, without a page-fault exception per page.
     */
    POPULATE_READ(22),
    /**
     * Fault the range's pages in for writing now, in one call (Linux 5.14+): mapped writable and
     * dirty, as a store to each page would.
     */
    POPULATE_WRITE(23);

    private final int linuxValue;

    MemoryAdvice(int linuxValue) {
        this.linuxValue = linuxValue;
    }

    /** The {@code MADV_*} constant as Linux defines it. */
    public int linuxValue() {
        return linuxValue;
    }
}
