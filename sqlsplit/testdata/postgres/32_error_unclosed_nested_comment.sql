/* outer /* inner */
SELECT 1;
