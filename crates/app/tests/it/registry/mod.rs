mod care_cards;
mod pipl;
mod residents;
mod xlsx_fuzz;
