/* walorctl stock-check: proves the warehouse's levels equal its ledger
 * (plugins/warehouse/ledger.h). For every item: on_hand = Σ ledger.qty,
 * reserved = Σ ledger.reserved = Σ open reservations, and the last ledger
 * row's stock_after = on_hand. Also a ledger row without a level row is a
 * fault. Read-only; exit 0 when consistent, 1 with one line per fault. */
#include <stdio.h>

#include "db.h"
#include "error.h"
#include "stock_check.h"

/* each query yields (product_id, variant_no, what is wrong) for one kind of fault */
/* each query yields (product_id, variant_no, what is, what it should be) for
 * one kind of fault; the comparison is outside the subquery that names the
 * sum, since PostgreSQL, unlike SQLite, cannot filter on an output alias */
static const char *const CHECKS[][2] = {
    {"on_hand differs from the sum of the ledger",
     "SELECT * FROM (SELECT i.product_id, i.variant_no, i.on_hand AS v, (SELECT coalesce(sum(l.qty), 0) "
     "FROM warehouse_ledger l WHERE l.product_id = i.product_id AND l.variant_no = i.variant_no) AS s "
     "FROM warehouse_item i) AS c WHERE v <> s"},
    {"reserved differs from the sum of the ledger",
     "SELECT * FROM (SELECT i.product_id, i.variant_no, i.reserved AS v, (SELECT coalesce(sum(l.reserved), 0) "
     "FROM warehouse_ledger l WHERE l.product_id = i.product_id AND l.variant_no = i.variant_no) AS s "
     "FROM warehouse_item i) AS c WHERE v <> s"},
    {"reserved differs from the open reservations",
     "SELECT * FROM (SELECT i.product_id, i.variant_no, i.reserved AS v, (SELECT coalesce(sum(r.qty), 0) "
     "FROM warehouse_reservation r WHERE r.product_id = i.product_id AND r.variant_no = i.variant_no "
     "AND r.state = 'reserved') AS s FROM warehouse_item i) AS c WHERE v <> s"},
    {"on_hand differs from the last ledger row's stock_after",
     "SELECT * FROM (SELECT i.product_id, i.variant_no, i.on_hand AS v, (SELECT l.stock_after "
     "FROM warehouse_ledger l WHERE l.product_id = i.product_id AND l.variant_no = i.variant_no "
     "ORDER BY l.id DESC LIMIT 1) AS s FROM warehouse_item i) AS c WHERE s IS NOT NULL AND v <> s"},
    {"ledger rows without a level",
     "SELECT l.product_id, l.variant_no, count(*), 0 FROM warehouse_ledger l LEFT JOIN warehouse_item i "
     "ON i.product_id = l.product_id AND i.variant_no = l.variant_no WHERE i.product_id IS NULL "
     "GROUP BY l.product_id, l.variant_no"},
};

int walorctl_stock_check(wh_db *db)
{
    if (wh_db_has_table(db, "warehouse_ledger") != 1) {
        puts("no warehouse tables in this database (the warehouse plugin has not run): nothing to check");
        return 0;
    }
    int faults = 0;
    for (size_t k = 0; k < sizeof CHECKS / sizeof CHECKS[0]; k++) {
        wh_rows *r = NULL;
        if (wh_db_query(db, CHECKS[k][1], NULL, 0, &r) != 0) {
            fprintf(stderr, "walorctl: %s\n", wh_last_error());
            return 1;
        }
        int rc;
        while ((rc = wh_rows_next(r)) == 1) {
            long long pid = wh_rows_int(r, 0), vno = wh_rows_int(r, 1);
            printf("FAULT item %lld.%lld: %s (%lld vs %lld)\n", pid, vno, CHECKS[k][0], (long long)wh_rows_int(r, 2),
                   (long long)wh_rows_int(r, 3));
            faults++;
        }
        wh_rows_close(r);
        if (rc < 0) {
            fprintf(stderr, "walorctl: %s\n", wh_last_error());
            return 1;
        }
    }
    int64_t items = 0, rows = 0;
    wh_db_int(db, "SELECT count(*) FROM warehouse_item", NULL, 0, &items);
    wh_db_int(db, "SELECT count(*) FROM warehouse_ledger", NULL, 0, &rows);
    if (faults) {
        printf("stock-check: %d fault(s) in %lld items\n", faults, (long long)items);
        return 1;
    }
    printf("stock-check: OK, %lld items, %lld ledger rows: every level equals the sum of its ledger\n",
           (long long)items, (long long)rows);
    return 0;
}
